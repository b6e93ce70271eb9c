"""Writes README's "Use it in your project" files as a project of their own, so that CI
builds and tests exactly what a new user copies.

Usage: readme_consumer.py README OUT PACKAGES

Every fenced block right after a `<!-- consumer: PATH -->` line becomes OUT/PATH. In
Cargo.toml, a dependency's `path = "../ccgw/crates/NAME"` points at the packaged crate
PACKAGES/NAME-VERSION instead, and the crates the packages depend on come from there too.
"""

import pathlib
import re
import sys

readme, out, packages = (pathlib.Path(a) for a in sys.argv[1:4])
text = readme.read_text()
files = re.findall(r"<!-- consumer: (\S+) -->\n```[^\n]*\n(.*?)```", text, re.S)
if {path for path, _ in files} != {"Cargo.toml", "src/main.rs", "tests/simulator.rs"}:
    sys.exit(f"README's consumer files are not the three expected: {[p for p, _ in files]}")
# The unpacked library packages, NAME-VERSION with a manifest (cargo also leaves working
# folders there, and the command-line tool is no dependency).
crates = {
    match.group(1): p
    for p in packages.iterdir()
    if (match := re.fullmatch(r"(ccgw[\w-]*?)-(\d+\.\d+\.\d+)", p.name))
    and (p / "Cargo.toml").is_file()
    and match.group(1) != "ccgw-cli"
}
for path, body in files:
    target = out / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if path == "Cargo.toml":
        def packaged(match):
            name = match.group(1)
            if name not in crates:
                sys.exit(f"no package of {name} in {packages}")
            return f'path = "{crates[name]}"'
        body = re.sub(r'path = "\.\./ccgw/crates/([\w-]+)"', packaged, body)
        patch = "".join(f'{name} = {{ path = "{where}" }}\n' for name, where in sorted(crates.items()))
        body = (
            '[package]\nname = "readme-consumer"\nversion = "0.0.0"\nedition = "2024"\n'
            "publish = false\n\n" + body + "\n[patch.crates-io]\n" + patch + "\n[workspace]\n"
        )
    target.write_text(body)
print(f"readme_consumer: wrote {', '.join(p for p, _ in files)} to {out}")
