"""`cxsim-examples FOLDER`: starting files to copy and change, wherever cxsim is installed.

    cxsim-examples my_company        # then: cxsim-compare my_company/mid_size_insurer.yaml

Copies into FOLDER the commented example company file (`mid_size_insurer.yaml`), the data it
measured (`mid_size_insurer_observed.yaml`, for `cxsim-calibrate`) and one preset of each kind of your
own file (`org_auto_insurer.yaml`, `regime_ceo_led.yaml`, `mechanisms_default.yaml`: as cxsim's own
configs are written, to use as `org=FOLDER/org_auto_insurer.yaml`). A file already there is kept.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from cxsim.config.composition import CONFIG_DIR

HERE = Path(__file__).resolve().parent
COMPANY = HERE / "mid_size_insurer.yaml"
OBSERVED = HERE / "mid_size_insurer_observed.yaml"
PRESETS = {"org": "auto_insurer", "regime": "ceo_led", "mechanisms": "default"}  # one of each kind


def files() -> dict[str, Path]:
    """Name in the folder -> the file it is copied from."""
    out = {COMPANY.name: COMPANY, OBSERVED.name: OBSERVED}
    out.update({f"{group}_{name}.yaml": CONFIG_DIR / group / f"{name}.yaml" for group, name in PRESETS.items()})
    return out


def copy(folder: str | Path) -> list[Path]:
    """Copy the starting files into `folder` (made if missing); the files written (not those kept)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in files().items():
        target = folder / name
        if not target.exists():
            shutil.copyfile(source, target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="cxsim-examples", description=__doc__.splitlines()[0],
                                 epilog="example: cxsim-examples my_company; then cxsim-compare "
                                        "my_company/mid_size_insurer.yaml or "
                                        "cxsim org=my_company/org_auto_insurer.yaml")
    ap.add_argument("folder", help="where to put the files (made if missing; files already there are kept)")
    args = ap.parse_args(argv)
    try:
        written = copy(args.folder)
    except OSError as exc:
        print(f"cxsim-examples: error: {args.folder}: {exc.strerror}", file=sys.stderr)
        return 2
    for name in files():
        print(f"  {Path(args.folder) / name}{'' if Path(args.folder) / name in written else '  (kept: already there)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
