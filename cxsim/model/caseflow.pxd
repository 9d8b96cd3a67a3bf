# C types for the case flow (`caseflow.py`), used when it is compiled.
cimport cython
from libc cimport math  # the .py's `math.ceil`: C's (what Python's calls); C's ceil is a double, hence int()
from cxsim.mechanisms.cases cimport Case, Desk, Flow, JourneyFields, StageFields
from cxsim.mechanisms cimport failure_demand, finance, handoff, lifecycle
from cxsim.mechanisms.customer_response cimport CustomerResponse

# the event kinds and statuses it compares with: C constants, not a module lookup at every comparison
cdef long ARRIVE, CANCELLED, CHASE, DONE, FOLLOW_UP, LEAVE, NEED
cdef str ACTIVE

@cython.locals(c=Case, kind=long, desk=Desk, i=Py_ssize_t, withdrawn=long)
cpdef act(Flow model, list due)

@cython.locals(first=long)
cpdef start_journey(Flow model, Case c, JourneyFields journey, bint induced=*)

@cython.locals(c=Case, capacity=double, cap=double, case_work=double, call=double, backlog=double,
               credit=double, answered=long, worked=double, wasted=double, contacts=long, repeats=long,
               failure=double, first=long, rework=long, units=double, failed=long)
cpdef work(Desk d, Flow model)

@cython.locals(days=long, stage=StageFields)
cpdef advance(Flow model, Case c, Desk dept)

@cython.locals(stages=tuple, here=StageFields, after=StageFields, response=CustomerResponse)
cpdef stage_done(Flow model, Case c)
