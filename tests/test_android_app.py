"""android_demo/'s Android side, as far as this machine can check it without the Android SDK: the manifest and
resources pass Debian's ``aapt`` against the framework's resources (a broken reference fails it), and the Gradle
files are well formed (the version catalog parses as TOML and names every library and plugin the build files
use; the .kts files balance their brackets and strings; the SDK levels and LiteRT artifacts are the ones the demo
is written for). A Gradle build needs Google's Maven repository, so it happens on the user's machine
(android_demo/README.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "android_demo"
APP = DEMO / "app"
FRAMEWORK = Path("/usr/share/android-framework-res/framework-res.apk")
INSTALL = "run scripts/install-software-vulkan.sh (as root: it installs aapt and android-framework-res with apt)"
KTS = [DEMO / "settings.gradle.kts", DEMO / "build.gradle.kts", APP / "build.gradle.kts",
       DEMO / "core" / "build.gradle.kts"]


def namespace() -> str:
    return re.search(r'namespace\s*=\s*"([^"]+)"', (APP / "build.gradle.kts").read_text()).group(1)


def aapt(tmp_path: Path, res: Path) -> subprocess.CompletedProcess:
    """``aapt package`` of the manifest and ``res``. AGP takes the package name from the Gradle namespace and
    refuses a package attribute in the manifest; aapt needs one, so a copy gets it."""
    tool = shutil.which("aapt")
    if tool is None or not FRAMEWORK.is_file():
        pytest.fail(f"{'aapt' if tool is None else str(FRAMEWORK)} not found: {INSTALL}")
    manifest = tmp_path / "AndroidManifest.xml"
    text = (APP / "src" / "main" / "AndroidManifest.xml").read_text()
    manifest.write_text(text.replace("<manifest ", f'<manifest package="{namespace()}" ', 1))
    return subprocess.run([tool, "package", "-f", "-M", str(manifest), "-S", str(res), "-I", str(FRAMEWORK),
                           "-F", str(tmp_path / "app.apk")], capture_output=True, text=True, timeout=120)


def test_manifest_and_resources_pass_aapt(tmp_path):
    proc = aapt(tmp_path, APP / "src" / "main" / "res")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "app.apk").stat().st_size > 0


@pytest.mark.parametrize("file, old, new", [
    ("layout/activity_main.xml", "@string/camera", "@string/no_such_string"),
    ("values/themes.xml", "@color/accent", "@color/no_such_color"),
    ("values/themes.xml", "android:Theme.Material.Light.DarkActionBar", "Theme.AppCompat.Light"),
])
def test_a_broken_resource_reference_fails_aapt(tmp_path, file, old, new):
    res = tmp_path / "res"
    shutil.copytree(APP / "src" / "main" / "res", res)
    text = (res / file).read_text()
    assert old in text
    (res / file).write_text(text.replace(old, new, 1))
    proc = aapt(tmp_path, res)
    assert proc.returncode != 0
    assert new.split("/")[-1].split(".")[0] in proc.stderr, proc.stderr


def test_resources_use_framework_references_only():
    for path in (APP / "src" / "main" / "res").rglob("*.xml"):
        text = re.sub(r"<!--(.|\n)*?-->", "", path.read_text())
        assert not re.search(r"AppCompat|MaterialComponents|Theme\.Material3|\?attr/|\bapp:", text), path


def test_version_catalog_names_what_the_build_files_use():
    catalog = tomllib.loads((DEMO / "gradle" / "libs.versions.toml").read_text())
    versions, libraries, plugins = catalog["versions"], catalog["libraries"], catalog["plugins"]
    for entry in (*libraries.values(), *plugins.values()):
        assert entry["version"]["ref"] in versions, entry
    code = "\n".join(re.sub(r"//[^\n]*", "", p.read_text()) for p in KTS)
    used_libraries = set(re.findall(r"\blibs\.(?!plugins\.)([\w.]+)", code))
    used_plugins = set(re.findall(r"\blibs\.plugins\.([\w.]+)", code))
    assert used_libraries == {name.replace("-", ".") for name in libraries}
    assert used_plugins == {name.replace("-", ".") for name in plugins}
    assert libraries["litert"]["module"] == "com.google.ai.edge.litert:litert"
    assert libraries["litert-gpu"]["module"] == "com.google.ai.edge.litert:litert-gpu"
    assert re.fullmatch(r"2\.3\.\d+", versions["litert"])
    # Kotlin in Gradle is the kotlinc the tests compile core with.
    lock = (DEMO / "core" / "package-lock.json").read_text()
    assert f'"version": "{versions["kotlin"]}"' in lock


def balanced(text: str) -> bool:
    """Brackets pair up outside strings and comments, and every string ends (Kotlin's "..." and raw strings)."""
    text = re.sub(r'"""(.|\n)*?"""', '""', text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"//[^\n]*|/\*(.|\n)*?\*/", "", text)
    if '"' in text.replace('""', ""):
        return False
    stack = []
    for c in text:
        if c in "([{":
            stack.append(c)
        elif c in ")]}":
            if not stack or "([{"[")]}".index(c)] != stack.pop():
                return False
    return not stack


def test_gradle_files_are_well_formed():
    for path in KTS:
        assert balanced(path.read_text()), path
    assert not balanced('android { namespace = "x" ')
    settings = (DEMO / "settings.gradle.kts").read_text()
    assert 'include(":app", ":core")' in settings and "google()" in settings
    app = (APP / "build.gradle.kts").read_text()
    assert re.search(r"compileSdk = 35\b", app) and re.search(r"minSdk = 24\b", app)
    assert 'implementation(project(":core"))' in app
    wrapper = (DEMO / "gradle" / "wrapper" / "gradle-wrapper.properties").read_text()
    assert re.search(r"distributionUrl=https\\://services\.gradle\.org/distributions/gradle-[\d.]+-bin\.zip", wrapper)


def test_app_uses_litert_compiled_model_and_camerax():
    sources = "\n".join(p.read_text() for p in (APP / "src" / "main" / "kotlin").rglob("*.kt"))
    for name in ("import com.google.ai.edge.litert.CompiledModel", "import com.google.ai.edge.litert.Accelerator",
                 "import androidx.camera.view.PreviewView", "import com.mobilecnn.core.Preprocessor",
                 "import com.mobilecnn.core.BenchmarkResults", "CompiledModel.create(", "createInputBuffers()",
                 "BuiltinNpuAcceleratorProvider"):
        assert name in sources, name
    for path in (APP / "src" / "main" / "kotlin").rglob("*.kt"):
        assert balanced(path.read_text()), path
