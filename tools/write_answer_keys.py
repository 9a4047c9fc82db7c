"""Write lessons/answer-keys/*.md from the teaching content.  Run from the repository root:

    python -m tools.write_answer_keys
"""

from pathlib import Path

from widgets.classroom.answer_keys import KEYS

OUT = Path("lessons/answer-keys")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in KEYS.items():
        (OUT / name).write_text(make(), encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
