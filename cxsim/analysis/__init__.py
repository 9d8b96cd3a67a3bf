"""What is done with results: statistics, plots, reports, sensitivity.

* `statistics`: means and confidence intervals, paired differences, tidy tables;
* `plots`: the figures of reports and the app's downloads (matplotlib);
* `report`: `cxsim-report`, a sweep's self-contained HTML report;
* `sensitivity`: `cxsim-sensitivity`, Morris screening (SALib);
* `robust`: comparisons over sampled assumptions (Latin hypercube, regret);
* `drivers`: which assumptions a ranking hinges on (PRIM, Morris);
* `transition`: the cost of switching regimes (the J-curve).

Imports the layers below (config, mechanisms, model, runs) only.
"""
