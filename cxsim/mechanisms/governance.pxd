# C types for governance (`governance.py`), used when the model is compiled: the escalations, the
# owners' daily decisions and the failures they hear are C methods (thousands a run, called from the
# case flow); the install and the weekly review stay Python-level. `Owner` stays a Mesa agent.
cimport cython
from cxsim.mechanisms.cases cimport Case, Flow, StageFields
from cxsim.mechanisms.contract cimport Mechanism
from cxsim.mechanisms cimport handoff, responsibility

@cython.final  # no subclass overrides its methods: a call from C goes straight to them
cdef class Governance(Mechanism):
    cdef public list owners
    cdef public dict site_owners, failures_this_week
    cdef public double mean_value

    @cython.locals(model=Flow, stage=StageFields, owners=list, stake=double)
    cpdef bint escalate(self, Case customer, long a, long b) except -1

    @cython.locals(model=Flow)
    cpdef bint decide_locally(self, long a, long b) except -1

    @cython.locals(model=Flow, today=long, waiting=list, case=tuple, customer=Case, a=long, b=long)
    cpdef attend(self, owner)

    @cython.locals(model=Flow, share=double, budget=double, day=long, customer=Case, a=long, b=long,
                   complied=bint, right=bint)
    cpdef decide(self, office, list queue)

    @cython.locals(owners=list)
    cpdef heard_failure(self, long journey, long phase, long a, long b)

@cython.locals(keys=list, case=tuple, day=long, stake=double)
cpdef order_queue(list waiting, long today, double timeout, bint triage)
