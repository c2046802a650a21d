"""``tests/install-tools.sh`` waits for another package manager instead of failing at once.

The script runs against stand-ins for apt-get, npm and id on a PATH that holds nothing else,
so that every tool looks missing: each apt-get it runs must carry the lock timeout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


def test_every_apt_get_waits_for_the_lock(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("apt-get", "npm"):
        (bin_dir / name).write_text(FAKE.format(log=log))
        (bin_dir / name).chmod(0o755)
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")
    (bin_dir / "id").chmod(0o755)
    for tool in ("dirname", "basename", "mkdir"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    # A copy, so that what it would install goes into this test's folder, not the checkout's .venv.
    script = tmp_path / "tests" / "install-tools.sh"
    script.parent.mkdir()
    shutil.copyfile(ROOT / "tests/install-tools.sh", script)
    proc = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, cwd=tmp_path)
    calls = log.read_text().splitlines()
    apt = [c for c in calls if c.startswith("apt-get")]
    assert proc.returncode == 0, proc.stderr
    assert any(" install " in c for c in apt) and any(" update " in c for c in apt), calls
    assert all("-o DPkg::Lock::Timeout=300" in c for c in apt), calls
