# C types for the money (`finance.py`), used when the model is compiled: a department's capacity and
# overtime are asked by the case flow every day, its cost by the day's books.
cimport cython
from cxsim.mechanisms.cases cimport Desk, Flow

cpdef double staffed_capacity(Flow model, Desk dept) except? -1

cpdef double effective_capacity(Flow model, Desk dept) except? -1

cpdef double overtime(Flow model, double capacity, double shortfall) except? -1

@cython.locals(staff=double, extra=double)
cpdef double department_cost(Flow model, Desk dept) except? -1

@cython.locals(service=double, cost=double, d=Desk, revenue=double, product=double)
cpdef dict day(Flow model, long prospects_arrived)
