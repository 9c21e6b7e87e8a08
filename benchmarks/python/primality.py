"""The prime checks the baselines share: the seed's trial division up to n, and up to √n."""
import math


def is_prime_n(x: int) -> bool:
    """The seed's is_prime: trial division by every number below x."""
    if x < 2:
        return False
    for n in range(2, x):
        if x % n == 0:
            return False
    return True


def is_prime_sqrt(x: int) -> bool:
    if x < 2:
        return False
    if x % 2 == 0:
        return x == 2
    for n in range(3, math.isqrt(x) + 1, 2):
        if x % n == 0:
            return False
    return True
