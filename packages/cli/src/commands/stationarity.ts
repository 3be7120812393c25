import { Command } from 'commander';
import { adf, dejong, kpss, mannKendall } from '@ebt/ts-stationarity';
import { oneOf, parseInteger, parseNumber, parseSeries, readText } from '../input';
import { printJson } from '../output';

const INPUT_HELP = 'a JSON array of numbers or one number per line; - for standard input';

function load(file: string): number[] {
  return parseSeries(readText(file), file);
}

function lagsOption(value: string, flag: string): 'auto' | number {
  return value === 'auto' ? 'auto' : parseInteger(value, flag);
}

export function stationarityCommand(): Command {
  const cmd = new Command('stationarity');

  cmd
    .command('adf')
    .description('Augmented Dickey-Fuller unit-root test (statsmodels adfuller).')
    .requiredOption('--input <file>', INPUT_HELP)
    .option('--regression <r>', 'n, c, ct or ctt', 'c')
    .option('--autolag <method>', 'AIC, BIC, t-stat or none', 'AIC')
    .option('--maxlag <n>', 'largest lag (default ceil(12 (n/100)^(1/4)))')
    .action((o) => {
      printJson(
        adf(load(o.input), {
          regression: oneOf(o.regression, ['n', 'c', 'ct', 'ctt'] as const, '--regression'),
          autolag: oneOf(o.autolag, ['AIC', 'BIC', 't-stat', 'none'] as const, '--autolag'),
          maxlag: o.maxlag === undefined ? null : parseInteger(o.maxlag, '--maxlag'),
        }),
      );
    });

  cmd
    .command('kpss')
    .description('KPSS test of level or trend stationarity (statsmodels kpss).')
    .requiredOption('--input <file>', INPUT_HELP)
    .option('--regression <r>', 'c or ct', 'c')
    .option('--nlags <n>', 'auto, legacy or a number', 'auto')
    .action((o) => {
      const nlags = o.nlags === 'auto' || o.nlags === 'legacy' ? o.nlags : parseInteger(o.nlags, '--nlags');
      printJson(kpss(load(o.input), { regression: oneOf(o.regression, ['c', 'ct'] as const, '--regression'), nlags }));
    });

  cmd
    .command('mann-kendall')
    .description("Mann-Kendall trend test with Sen's slope.")
    .requiredOption('--input <file>', INPUT_HELP)
    .option('--alpha <a>', 'significance level of the verdict', '0.05')
    .action((o) => {
      printJson(mannKendall(load(o.input), { alpha: parseNumber(o.alpha, '--alpha') }));
    });

  cmd
    .command('dejong')
    .description('Trend regression with a Newey-West standard error (DeJong et al. 1992).')
    .requiredOption('--input <file>', INPUT_HELP)
    .option('--lags <n>', 'auto = floor(4 (n/100)^(2/9)), or a number', 'auto')
    .option('--use-t', 'Student t p-value with n-2 degrees of freedom', false)
    .option('--correction', 'small-sample factor n/(n-2)', false)
    .action((o) => {
      printJson(dejong(load(o.input), { lags: lagsOption(o.lags, '--lags'), useT: o.useT, correction: o.correction }));
    });

  return cmd;
}
