"""The classroom app (Mesa's SolaraViz), for teachers of organisation design.

* `app`: the page: controls, lessons, the organisation picture and charts;
* `server`: `cxsim-app`, which serves it offline on this machine.

Builds on the layers below it; nothing imports the app.
"""
