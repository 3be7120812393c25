"""The reference side of `ebt bench stationarity`: the same four tests in statsmodels/scipy.

usage: python3 stationarity_reference.py N100 N500   (series of length 100 and 500)
Prints {"name", "seriesPerSecond"} as JSON.
"""
import json
import sys
import time

import numpy as np
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.stattools import adfuller, kpss
import warnings


def generate(count, length, seed):
    rng = np.random.default_rng(seed)
    phis = [0.0, 0.5, 0.9, 1.0]
    out = []
    for s in range(count):
        z = rng.standard_normal(length)
        y = np.empty(length)
        y[0] = z[0]
        phi = phis[s % 4]
        for t in range(1, length):
            y[t] = phi * y[t - 1] + z[t]
        out.append(y)
    return out


def mann_kendall(y):
    # the original test as pymannkendall computes it (vectorised S, tie-corrected variance)
    n = len(y)
    s = 0.0
    for k in range(n - 1):
        s += np.sign(y[k + 1:] - y[k]).sum()
    _, counts = np.unique(y, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(counts * (counts - 1) * (2 * counts + 5))) / 18
    z = (s - np.sign(s)) / np.sqrt(var_s)
    p = 2 * stats.norm.sf(abs(z))
    slope = stats.theilslopes(y)[0]
    return z, p, slope


def dejong(y):
    n = len(y)
    x = sm.add_constant(np.arange(n, dtype=float))
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    return sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags}).pvalues[1]


def main():
    n100, n500 = int(sys.argv[1]), int(sys.argv[2])
    series = generate(n100, 100, 1) + generate(n500, 500, 2)
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    for y in series:
        adfuller(y, autolag="AIC")
        kpss(y, nlags="auto")
        mann_kendall(y)
        dejong(y)
    seconds = time.perf_counter() - t0
    print(json.dumps({"name": f"statsmodels {statsmodels.__version__}", "seriesPerSecond": len(series) / seconds}))


if __name__ == "__main__":
    main()
