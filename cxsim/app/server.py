"""`cxsim-app`: start the classroom app (Solara) on this machine only by default.

    cxsim-app                                # http://127.0.0.1:8765
    cxsim-app --company my_company.yaml      # your organisation in the menus, its regime of today first
    cxsim-app --org my_org.yaml --regime my_regime.yaml   # your own org and regime files, first in the menus
    cxsim-app --port 9000 --host 0.0.0.0     # to let a class reach it over the room's network
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cxsim.app import COMPANY_ENV, FILES_ENV
from cxsim.config import validation
from cxsim.config.errors import ConfigError


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cxsim-app", description=__doc__.splitlines()[0],
                                 epilog="example: cxsim-app --company my_company/mid_size_insurer.yaml "
                                        "(cxsim-examples my_company copies that file)")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--company", metavar="FILE.yaml",
                    help="a company file (as for cxsim-compare): its organisation, today's regime and candidates")
    ap.add_argument("--org", metavar="FILE.yaml", action="append", default=[],
                    help="your own org file (as for cxsim org=FILE.yaml), first in the Organisation menu; repeatable")
    ap.add_argument("--regime", metavar="FILE.yaml", action="append", default=[],
                    help="your own regime file, first in the regime menus; repeatable")
    return ap


def check_files(args) -> dict[str, str]:
    """The app's environment entries for the company, org and regime files; each file checked here, so a
    mistake is one line before any server starts (ConfigError)."""
    from cxsim.config import files
    from cxsim.config.composition import compose

    env = {}
    if args.company:
        from cxsim.decide import company

        company.load(args.company)
        env[COMPANY_ENV] = str(Path(args.company).resolve())
    for group in FILES_ENV:
        paths = list(getattr(args, group))  # as typed: the menus show them (the server keeps this folder)
        for path in paths:
            if not files.is_file(path):
                raise ConfigError(f"--{group} {path}: give a file ending in .yaml")
            compose([f"{group}={path}", *(f"org={p}" for p in args.org[:1] if group == "regime")])
        if paths:
            env[FILES_ENV[group]] = os.pathsep.join(paths)
    return env


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    env = {**os.environ, "SOLARA_ASSETS_PROXY": "True", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           "SOLARA_THEME_SHOW_BANNER": "False", "SOLARA_THEME_TITLE": "cxsim classroom"}
    try:
        validation.flags(args, {"port": 1})
        env.update(check_files(args))
    except ConfigError as exc:
        print(f"cxsim-app: error: {exc}", file=sys.stderr)
        return 2
    app = Path(__file__).with_name("app.py")
    # assets are served by this server from the solara-assets package (no CDN); no telemetry
    cmd = [sys.executable, "-m", "solara", "run", str(app), "--host", args.host, "--port", str(args.port),
           "--production", "--no-open"]
    print(f"cxsim-app: http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    # become the server (same process id), so stopping cxsim-app stops Solara and leaves no orphan
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
