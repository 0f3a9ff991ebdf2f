"""The API's throttle, failing open when the cache that counts requests does not answer."""

import logging

from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


class AnonymousThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, counting per client address in the default cache.

    With Redis down the API still answers (read-only, public data): the request is let through
    and the failure logged, instead of a 503 for every reader until Redis is back.
    """

    scope = "anon"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("API throttle unavailable (cache error); request let through")
            return True
