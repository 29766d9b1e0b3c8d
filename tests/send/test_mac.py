import hmac

import pytest

from inserecho.send.mac import Mac


@pytest.mark.parametrize("key", [b"", b"k" * 32, b"k" * 64, b"k" * 65, bytes(range(200))])
@pytest.mark.parametrize("message", [b"", b"marie@example.org", b"x" * 1000])
def test_the_digest_is_hmac_sha256_of_the_key(key, message):
    mac = Mac(key)
    assert mac.digest(message) == hmac.digest(key, message, "sha256")
    assert mac.digest(message) == mac.digest(message)  # the key states are copied, never consumed
