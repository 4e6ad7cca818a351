"""An APMBC deadline's destination names the APMBC's Implementation Support Unit, never the CCM's."""

from rules.wording import Addresses, addresses_for, destination
from settings import Settings


def test_apmbc_destinations_never_name_the_ccm_isu():
    ccm = Addresses.of(Settings())
    for kind in ("art7_annual", "art4_destruction", "art5_clearance"):
        try:
            where = destination(kind, addresses_for("APMBC", ccm))
        except KeyError:
            continue
        if where is not None:
            assert "CCM" not in where.text
    assert "APMBC Implementation Support Unit" in destination("art7_annual", addresses_for("APMBC", ccm)).text
    assert addresses_for("CCM", ccm) is ccm
