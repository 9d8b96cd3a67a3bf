# C types for who acts (`responsibility.py`), used when the model is compiled: a department's alignment and
# compliance are asked at every owner's decision, directive and fix (thousands a run, from C callers).
cimport cython
from cxsim.mechanisms.cases cimport Flow

@cython.locals(kpi=double)
cpdef double alignment(Flow model, dept) except? -1

cpdef double compliance(Flow model, double authority, dept) except? -1
