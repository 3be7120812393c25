/** The part of jStat (npm `jstat`, which ships no types) this package calls. */
declare module 'jstat' {
  const jStat: {
    erfc(x: number): number;
    studentt: { cdf(t: number, dof: number): number };
  };
  export default jStat;
}
