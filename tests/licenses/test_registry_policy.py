"""The registry (built from the SPDX subset + LicenseRef entries) and the policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from licenses import get_license, load_policy, registry
from licenses.creative_commons import parse_license_id
from licenses.spdx import spdx_licenses

SPDX_DIR = Path("/work/shared/data/spdx")


def test_shipped_spdx_subset_matches_the_spdx_list() -> None:
    ids = set(json.loads((SPDX_DIR / "spdx-license-ids.index.json").read_text()))
    full = json.loads((SPDX_DIR / "spdx-license-list.spdx.json").read_text())
    for license_id, record in spdx_licenses().items():
        assert license_id in ids, license_id
        if license_id in full:
            assert record["url"] == full[license_id]["url"]
    # every Creative Commons id SPDX lists is shipped
    assert {i for i in ids if i.startswith("CC")} <= set(spdx_licenses())


def test_cc_obligations_follow_the_elements() -> None:
    for license_id, lic in registry().items():
        cc = parse_license_id(license_id)
        if cc is None:
            continue
        assert lic.attribution == ("by" in cc.elements), license_id
        assert lic.share_alike == ("sa" in cc.elements), license_id
        assert lic.non_commercial == ("nc" in cc.elements), license_id
        assert lic.no_derivatives == ("nd" in cc.elements), license_id


def test_design_licenses_exist() -> None:
    for license_id in [
        "LicenseRef-PublicDomain-JP",
        "LicenseRef-JP-Copyright-Act-Art13",
        "LicenseRef-JP-Gov-Standard-Terms-2.0",
        "LicenseRef-CC-BY-2.1-JP",
        "LicenseRef-CC-BY-ND-2.1-JP",
        "LicenseRef-CC-BY-NC-ND-2.1-JP",
        "CC-BY-SA-2.1-JP",
        "CC-BY-SA-3.0",
        "CC0-1.0",
    ]:
        assert get_license(license_id) is not None, license_id
    assert "CC-BY-2.1-JP" not in registry(), "SPDX has no CC-BY-2.1-JP; it is a LicenseRef"


@pytest.mark.parametrize(
    "license_id, default, permissive",
    [
        ("LicenseRef-PublicDomain-JP", "admitted", "admitted"),
        ("LicenseRef-JP-Copyright-Act-Art13", "admitted", "admitted"),
        ("LicenseRef-JP-Gov-Standard-Terms-2.0", "admitted", "admitted"),
        ("CC0-1.0", "admitted", "admitted"),
        ("CC-BY-4.0", "admitted", "admitted"),
        ("LicenseRef-CC-BY-2.1-JP", "admitted", "admitted"),
        ("CC-BY-SA-3.0", "admitted", "license_refused:share_alike"),
        ("CC-BY-SA-2.1-JP", "admitted", "license_refused:share_alike"),
        ("CC-BY-NC-4.0", "license_refused:non_commercial", "license_refused:non_commercial"),
        (
            "LicenseRef-CC-BY-ND-2.1-JP",
            "license_refused:no_derivatives",
            "license_refused:no_derivatives",
        ),
        (
            "LicenseRef-CC-BY-NC-ND-2.1-JP",
            "license_refused:non_commercial",
            "license_refused:non_commercial",
        ),
        (
            "LicenseRef-AllRightsReserved",
            "license_refused:all_rights_reserved",
            "license_refused:all_rights_reserved",
        ),
        ("LicenseRef-Unheard-Of", "license_unknown", "license_unknown"),
        (None, "license_unknown", "license_unknown"),
    ],
)
def test_builtin_policies(license_id: str | None, default: str, permissive: str) -> None:
    assert load_policy("default").decide(license_id)[1] == default
    assert load_policy("permissive").decide(license_id)[1] == permissive


def test_user_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(
        "refuse_obligations: [non_commercial, no_derivatives, share_alike]\n"
        "deny: [LicenseRef-JP-Gov-Standard-Terms-2.0]\n"
        "allow: [CC-BY-SA-4.0]\n",
        encoding="utf-8",
    )
    policy = load_policy(str(path))
    assert policy.name == "strict"
    assert policy.decide("CC-BY-SA-4.0") == (True, "admitted")
    assert policy.decide("CC-BY-SA-3.0") == (False, "license_refused:share_alike")
    assert policy.decide("LicenseRef-JP-Gov-Standard-Terms-2.0") == (
        False,
        "license_refused:policy_deny",
    )


def test_user_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="neither a built-in policy"):
        load_policy(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("refuse: [nc]\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_policy(str(bad))


@pytest.mark.parametrize(
    "module", ["creative_commons", "html", "optout", "policy", "registry", "spdx", "web"]
)
def test_licenses_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"licenses.{module}"))
    assert result.failed == 0 and result.attempted > 0, module
