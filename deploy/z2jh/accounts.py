"""Make the accounts of a class for the Kubernetes hub (deploy/z2jh/values.yaml): nobody signs up, the admin does.

    python deploy/z2jh/accounts.py my-class.txt --out class-accounts/
    kubectl --namespace vkp create secret generic vkp-accounts --from-file=class-accounts/accounts.yaml

The roster is the same file as `make hub` reads (logins under [instructors] and [students]).  For each login it
makes a password (kept from one run to the next in ``passwords.csv``, which you hand out, one line to each
person) and writes ``accounts.yaml``: each login with a bcrypt hash of its password, the form
NativeAuthenticator keeps.  The hub adds each account the first time it starts with it and never overwrites
one, so a password someone changed stays theirs; run it again after adding students and update the Secret
(`kubectl ... create secret ... --dry-run=client -o yaml | kubectl apply -f -`), then restart the hub.
Both files are written readable by you only.  Needs ``bcrypt`` (pip install bcrypt).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tools.local_hub import HubError, read_roster  # noqa: E402


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def make_accounts(roster_file: Path, out: Path) -> dict[str, str]:
    """Write ``out/passwords.csv`` and ``out/accounts.yaml`` for the roster; returns login -> password."""
    import bcrypt
    import yaml
    roster = read_roster(roster_file)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    kept_file = out / "passwords.csv"
    kept = {}
    if kept_file.exists():
        kept = {r["login"]: r["password"] for r in csv.DictReader(io.StringIO(kept_file.read_text(encoding="utf-8")))}
    passwords = {login: kept.get(login) or secrets.token_urlsafe(9) for login in roster.everyone}
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["login", "role", "password"])
    for login in roster.everyone:
        writer.writerow([login, "instructor" if login in roster.instructors else "student", passwords[login]])
    _private(kept_file, rows.getvalue())
    hashes = {login: bcrypt.hashpw(pw.encode(), bcrypt.gensalt()).decode() for login, pw in passwords.items()}
    _private(out / "accounts.yaml", "# made by deploy/z2jh/accounts.py: login -> bcrypt hash (NativeAuthenticator)\n"
             + yaml.safe_dump(hashes, sort_keys=False))
    return passwords


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roster", type=Path, help="the class: logins under [instructors] and [students]")
    parser.add_argument("--out", type=Path, default=Path("class-accounts"),
                        help="where to write passwords.csv and accounts.yaml (default class-accounts/)")
    args = parser.parse_args(argv)
    try:
        passwords = make_accounts(args.roster, args.out)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(passwords)} accounts: hand out {args.out / 'passwords.csv'} (one line to each person), and give the "
          f"hub {args.out / 'accounts.yaml'}:\n  kubectl --namespace vkp create secret generic vkp-accounts "
          f"--from-file={args.out / 'accounts.yaml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
