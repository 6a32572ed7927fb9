"""Constants and stand-ins shared by the BAYAR GG adapter tests."""

from __future__ import annotations

from qriskit.api import RetryPolicy

API_KEY = "bgg_test_5ecr3t_KEY_0123456789"


class SleepRecorder:
    """Stands in for time.sleep / anyio.sleep: records the waits, waits for nothing."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class AsyncSleepRecorder(SleepRecorder):
    async def __call__(self, seconds: float) -> None:  # type: ignore[override]
        self.calls.append(seconds)


FAST_RETRIES = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=1.0, jitter=False)


def reachable_texts(root: object, *, skip: tuple[type, ...] = ()) -> list[str]:
    """``str``/``repr`` of everything reachable from ``root`` (an exception, usually).

    Follows exception arguments, attributes, ``__cause__``, ``__context__`` and notes,
    containers, and the attributes (``__dict__`` and slots) of plain objects, so an httpx
    request hanging off a cause (its headers carry the key) is found. Instances of
    ``skip`` are not entered.
    """
    import types

    texts: list[str] = []
    seen: set[int] = set()
    stack: list[object] = [root]
    opaque = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
              types.FrameType, types.TracebackType, types.CodeType)
    while stack and len(seen) < 200_000:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, opaque) or (skip and isinstance(obj, skip)):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            texts.append(obj)
            continue
        if isinstance(obj, (bytes, bytearray)):
            texts.append(bytes(obj).decode("latin-1"))
            continue
        if isinstance(obj, (int, float, complex, bool)):
            continue
        try:
            texts += [str(obj), repr(obj)]
        except Exception:
            pass
        if isinstance(obj, BaseException):
            stack += [*obj.args, obj.__cause__, obj.__context__, *getattr(obj, "__notes__", [])]
        if isinstance(obj, dict) or (hasattr(obj, "items") and callable(obj.items)):
            try:
                for key, value in list(obj.items()):  # type: ignore[union-attr]
                    stack += [key, value]
            except Exception:
                pass
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
        for name in getattr(type(obj), "__slots__", ()):
            stack.append(getattr(obj, name, None))
        if hasattr(obj, "__dict__") and not isinstance(obj, opaque):
            stack += list(vars(obj).values())
    return texts


def leaks(texts: list[str], forms: dict[str, str]) -> list[str]:
    """The names of the key's ``forms`` found in ``texts``."""
    return sorted({name for name, form in forms.items() for text in texts if form in text})
