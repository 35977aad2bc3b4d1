"""AWS regions by the names people read, for envelopes that give a region by its display name
rather than its code: a classic CloudWatch alarm notification says `"Region": "US West -
Oregon"` (older ones) or `"US East (N. Virginia)"`, never `us-west-2`.

The names are botocore's (its `data/endpoints.json`, every partition: the standard one,
China, GovCloud, the isolated and sovereign ones); tests/unit/ingress/test_region_names.py
checks the table against the botocore installed, so a new region shows up as a failing test.
Names are compared by their words only, so the notification's older spelling (`US West -
Oregon`, `EU - Ireland`, `South America - São Paulo`) finds the same code as the current one
(`US West (Oregon)`, `Europe (Ireland)`).
"""

from __future__ import annotations

import re
import unicodedata

# code -> display name, as botocore 1.44 names them.
DISPLAY_NAMES: dict[str, str] = {
    # AWS Standard
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-east-2": "Asia Pacific (Taipei)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ap-southeast-5": "Asia Pacific (Malaysia)",
    "ap-southeast-6": "Asia Pacific (New Zealand)",
    "ap-southeast-7": "Asia Pacific (Thailand)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "eu-north-1": "Europe (Stockholm)",
    "eu-south-1": "Europe (Milan)",
    "eu-south-2": "Europe (Spain)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-central-1": "Middle East (UAE)",
    "me-south-1": "Middle East (Bahrain)",
    "mx-central-1": "Mexico (Central)",
    "sa-east-1": "South America (Sao Paulo)",
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    # AWS China
    "cn-north-1": "China (Beijing)",
    "cn-northwest-1": "China (Ningxia)",
    # AWS GovCloud (US)
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
    # AWS ISO (US), ISOB (US), ISOE (Europe), ISOF
    "us-iso-east-1": "US ISO East",
    "us-iso-west-1": "US ISO WEST",
    "us-isob-east-1": "US ISOB East (Ohio)",
    "us-isob-west-1": "US ISOB West",
    "eu-isoe-west-1": "EU ISOE West",
    "us-isof-east-1": "US ISOF EAST",
    "us-isof-south-1": "US ISOF SOUTH",
    # AWS European Sovereign Cloud
    "eusc-de-east-1": "AWS European Sovereign Cloud (Germany)",
}
# Names a region had before botocore's current one: GovCloud (US) was one region until
# US-East opened.
FORMER_NAMES: dict[str, str] = {"AWS GovCloud (US)": "us-gov-west-1"}

# `EU` and `Europe` are one word here: the notifications wrote `EU - Ireland`, botocore
# once wrote `EU (Ireland)` and now writes `Europe (Ireland)`.
_SYNONYMS = {"europe": "eu"}
_WORD = re.compile(r"[a-z0-9]+")


def words(name: str) -> str:
    """A display name as lower-case ASCII words, its brackets, dashes, dots, accents and a
    leading `AWS` gone: `US West - Oregon` and `US West (Oregon)` are both `us west oregon`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    found = [_SYNONYMS.get(word, word) for word in _WORD.findall(ascii_name.lower())]
    if found[:1] == ["aws"] and len(found) > 1:
        found = found[1:]
    return " ".join(found)


_BY_WORDS = {words(name): code for code, name in DISPLAY_NAMES.items()} | {
    words(name): code for name, code in FORMER_NAMES.items()
}


def region_code(name: str) -> str | None:
    """The code of the region a display name names (`US West - Oregon` -> `us-west-2`), or
    None when it names none."""
    return _BY_WORDS.get(words(name)) if name.strip() else None
