# When the model is compiled, a mechanism is an extension type (its own attributes in a dictionary),
# so a compiled mechanism's methods can be called as C functions (`customer_response.pxd`).
cdef class Mechanism:
    cdef dict __dict__
    cdef public object model
