"""The classroom app (Mesa's SolaraViz parts, Solara), for teachers of organisation design.

* `classroom`: the controls (cxsim/conf/app/classroom.yaml), the lessons that set them, the model they make;
* `picture`: the organisation picture, customers moving through it;
* `charts`: the live charts, the side-by-side table with why one run is ahead, and the downloads;
* `lessons`: each lesson's claims, checked over seeds (`cxsim-lessons`; what the app shows under the lesson);
* `handout`: a lesson as a one-page HTML sheet for students (the app's download, `cxsim-lessons --handouts`);
* `app`: the page;
* `server`: `cxsim-app`, which serves it offline on this machine.

Builds on the layers below it; nothing imports the app.
"""

COMPANY_ENV = "CXSIM_APP_COMPANY"  # `cxsim-app --company FILE` hands the file to the app's process here
FILES_ENV = {"org": "CXSIM_APP_ORGS", "regime": "CXSIM_APP_REGIMES"}  # `--org FILE`, `--regime FILE`: the
# paths (os.pathsep between them), first in their menus
