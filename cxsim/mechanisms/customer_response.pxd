# Used when the model is compiled: the lifecycle's functions called as C functions.
from cxsim.mechanisms cimport lifecycle
