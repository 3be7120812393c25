import { EbtError, Interrupted, RunError, UsageError } from './index';

class DataError extends UsageError {}

describe('error classes', () => {
  it('carry the exit status the CLI gives them', () => {
    expect(new UsageError('x').exitCode).toBe(2);
    expect(new RunError('x').exitCode).toBe(1);
    expect(new Interrupted('x').exitCode).toBe(130);
  });
  it('subclasses keep their parent exit status, are caught by instanceof and named by their class', () => {
    const e = new DataError('bad file');
    expect(e).toBeInstanceOf(UsageError);
    expect(e).toBeInstanceOf(EbtError);
    expect(e).not.toBeInstanceOf(RunError);
    expect(e.exitCode).toBe(2);
    expect(e.name).toBe('DataError');
    expect(e.message).toBe('bad file');
  });
});
