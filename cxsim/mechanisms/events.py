"""The kinds of event on the customer calendar (`cxsim.model.calendar`), one list for every submodel.

Each event is (kind, customer, argument); the model's day acts on them in `CXModel.act`.
"""

ARRIVE = 0  # the case reaches a department's queue (argument: the department)
NEED = 1  # an active customer's next need starts a journey
LEAVE = 2  # the customer leaves for outside reasons (at the end of a journey in progress)
CHASE = 3  # a waiting customer checks on its case (argument: the visit it checks on; failure_demand)
FOLLOW_UP = 4  # the need an earlier failure made comes due (failure_demand)
DONE = 5  # a stage's service time is over (argument: the visit it belongs to)
