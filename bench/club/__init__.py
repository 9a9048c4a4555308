"""The rest of the club for the benchmark seed: referrals, imported sales, surveys,
suggestions and campaigns, set-based, as the services would have left them.

Each part prepares dict rows with explicit ids and inserts them in chunks; every point it
pays goes into `Credits`, which `seed.make_ledger` writes as ledger rows with their lots
(balances, lifetime earned and the monthly totals follow). What the services decide is
decided here the same way and checked afterwards (`check_club`): the referral reward rule
and its yearly cap, the survey points once per member, the suggestion fund never
overspent, a grant's audience being its segment's.

- referrals: codes, invitees who registered with them (within the hour of joining, before
  owning anything), some visited, some rejected, and the converted ones bought the home an
  imported sales file recorded — the conversion as `referrals.lifecycle.record_purchase`
  writes it at the import (rewards, capped; the invitee's ownership verified);
- imported sales: one batch a month as `sales.staging` and `sales.importer` leave a done
  import (rows, counts, result, cursor), purchases of referred buyers, of other members
  (their claims verified as `accounts.bulk.record_bought_homes` does), of outsiders, and a
  few contracts that came in cancelled;
- surveys made and published through `feedback.surveys` (the demo's questions), answered
  by verified members once each, the completion points credited once;
- suggestions in every status, the adopted ones rewarded from their year's fund;
- campaigns in every state, the finished grants with their recipients and credits.
"""

from bench.club.base import Club
from bench.club.campaigns import make_campaigns
from bench.club.check import check_club
from bench.club.feedback import make_suggestions, make_surveys
from bench.club.sales import make_referrals, make_sales, referral_code

__all__ = ["Club", "check_club", "make_campaigns", "make_referrals", "make_sales", "make_suggestions",
           "make_surveys", "referral_code"]
