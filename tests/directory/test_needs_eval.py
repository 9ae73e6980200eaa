"""The development score of need inference: the sample directory's hand tags, stripped and read
back from each service's own words."""

from directory.needs_eval import score


def test_inference_recovers_most_hand_tags_of_the_sample_directory() -> None:
    per_need, (tp, fp, fn) = score()
    assert tp / (tp + fn) >= 0.8  # recall
    assert tp / (tp + fp) >= 0.7  # precision
    assert per_need["infant_feeding"][1] == 0  # no wrong feeding services
