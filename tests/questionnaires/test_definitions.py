"""What a process keeps in memory of the questionnaires' definitions stays bounded and current."""

from questionnaires.definitions import KeptPerProcess


def test_the_least_recently_used_value_goes_first_once_the_limit_is_reached():
    loads = []
    kept = KeptPerProcess(keep=2)

    def load(key: str):
        return lambda: loads.append(key) or key.upper()

    assert [kept.get(key, load(key)) for key in ["a", "b", "a", "c", "a", "b"]] == ["A", "B", "A", "C", "A", "B"]
    assert loads == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
