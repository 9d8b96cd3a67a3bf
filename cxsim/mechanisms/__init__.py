"""The submodels (ODD section 7), one module per mechanism:

* `handoff`: a case crossing a department boundary, and how it fails (7.2);
* `governance`: the owners (`Owner` agents), escalated exceptions, the weekly review (7.3);
* `responsibility`: alignment, compliance, diffusion of responsibility (7.4);
* `customer_response`: verdicts, satisfaction, churn, acquisition (7.5);
* `lifecycle`: the customer lifecycle: a prospect becomes a customer, its needs, churn (7.5);
* `culture`: culture drift, and routines lost in a reorg (7.6);
* `finance`: revenue, cost to serve, governance cost: the owners' priced CX time (7.7);
* `promises`: what marketing promises to win customers, when an owner is measured on acquisition (7.8);
* `failure_demand`: repeat contacts besides handoffs: unsettled contacts, chasing, later needs (7.9);
* `budget`: the CFO's budget round (7.10);
* `initiatives`: the owners' portfolio of CX initiatives (7.11);
* `events`: the customer calendar and the kinds of event on it, one list for every submodel;
* `cases`: the state every case touches (a customer's case, a department's desk, the model's flow)
  and the counts it moves (the recorder's tally), C fields when compiled (`.pxd` files: docs/performance.md);
* `contract`: the `Mechanism` base class and its hooks (install, end of day, review, quarter,
  a failure heard), which the model calls in the order of `CXModel.MECHANISMS` (docs/layout.md).

A mechanism reads the model it is given (duck-typed) and may import
`cxsim.config` and other mechanisms, never the model or anything above.
"""
