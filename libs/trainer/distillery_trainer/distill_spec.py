"""The `distill` spec, normalised: every default filled in, every setting checked.

The platform validates specs with zod (libs/domain DISTILL); the trainer fills the same defaults so
it can also be driven directly, and so the recipe it records says exactly what ran. A setting the
trainer cannot run raises `SpecError` (the command exits 2).
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .losses import default_feature_weights
from .spec_error import SpecError

COMPONENTS = ("output", "feature", "knowledgeConsistency", "progressive", "adversarial")

OUTPUT_DEFAULTS = {"weight": 1.0, "alpha": 0.5}
KL_DEFAULTS = {"weight": 0.1}
TEMPERATURE_DEFAULTS = {"initial": 4.0, "final": 1.0, "schedule": "linear"}
FEATURE_DEFAULTS = {"weight": 1.0, "pairs": None, "layerWeights": None, "multiScale": False}
KNOWLEDGE_CONSISTENCY_DEFAULTS = {"threshold": 0.05}
PROGRESSIVE_DEFAULTS = {"rounds": [16, 8, 4]}
ADVERSARIAL_DEFAULTS = {"weight": 0.05, "discriminatorLr": 2e-4}
DERIVE_DEFAULTS = {"removeLayers": 0, "channelScale": 1.0, "dropMid": False}
MODEL_DEFAULTS = {"channels": [32, 64], "layersPerBlock": 1, "attentionStages": [1], "groups": 8, "heads": 4}


def _settings(where: str, given: Any, defaults: Dict[str, Any], optional: Sequence[str] = ()) -> Dict[str, Any]:
    """`given` over `defaults`; unknown keys are an error so a typo is not silently ignored."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise SpecError(f"{where} must be an object")
    unknown = sorted(set(given) - set(defaults) - set(optional))
    if unknown:
        raise SpecError(f"{where}: unknown settings {', '.join(unknown)}")
    return {**defaults, **given}


def _number(where: str, value: Any, low: float, high: float = float("inf"), low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{where} must be a number, got {value!r}")
    value = float(value)
    if value < low or value > high or (low_open and value == low):
        bounds = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise SpecError(f"{where} must lie in {bounds}, got {value:g}")
    return value


def normalise_strategy(strategy: Any) -> Dict[str, Any]:
    """The strategy with defaults, its components in a fixed order.

    knowledgeConsistency only re-weights the output and feature terms; given alone it brings the
    output term with its defaults (recorded here, so the recipe says what was trained).
    Feature pairs and layer weights depend on the two UNets: `resolve_feature_pairs` fills them.
    """
    if not isinstance(strategy, dict):
        raise SpecError("strategy must be an object")
    unknown = sorted(set(strategy) - set(COMPONENTS))
    if unknown:
        raise SpecError(f"strategy: unknown components {', '.join(unknown)} (known: {', '.join(COMPONENTS)})")
    present = {name: value for name, value in strategy.items() if value is not None}
    if not present:
        raise SpecError(f"strategy needs at least one component of {', '.join(COMPONENTS)}")
    if "knowledgeConsistency" in present and "output" not in present and "feature" not in present:
        present["output"] = {}
    normalised: Dict[str, Any] = {}
    for name in COMPONENTS:
        if name in present:
            normalised[name] = _COMPONENT_NORMALISERS[name](present[name])
    return normalised


def _output(given: Any) -> Dict[str, Any]:
    output = _settings("strategy.output", given, OUTPUT_DEFAULTS, optional=("kl",))
    output["weight"] = _number("strategy.output.weight", output["weight"], 0.0)
    output["alpha"] = _number("strategy.output.alpha", output["alpha"], 0.0, 1.0)
    if output.get("kl") is not None:
        kl = _settings("strategy.output.kl", output["kl"], KL_DEFAULTS, optional=("temperature",))
        kl["weight"] = _number("strategy.output.kl.weight", kl["weight"], 0.0)
        temperature = _settings("strategy.output.kl.temperature", kl.get("temperature"), TEMPERATURE_DEFAULTS)
        temperature["initial"] = _number("strategy.output.kl.temperature.initial", temperature["initial"], 0.0, low_open=True)
        temperature["final"] = _number("strategy.output.kl.temperature.final", temperature["final"], 0.0, low_open=True)
        if temperature["schedule"] not in ("linear", "cosine"):
            raise SpecError(f"strategy.output.kl.temperature.schedule must be linear or cosine, got {temperature['schedule']!r}")
        kl["temperature"] = temperature
        output["kl"] = kl
    else:
        output.pop("kl", None)
    return output


def _feature(given: Any) -> Dict[str, Any]:
    feature = _settings("strategy.feature", given, FEATURE_DEFAULTS)
    feature["weight"] = _number("strategy.feature.weight", feature["weight"], 0.0)
    feature["multiScale"] = bool(feature["multiScale"])
    if feature["pairs"] is not None:
        pairs = feature["pairs"]
        if not isinstance(pairs, list) or not pairs or not all(isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(n, str) for n in p) for p in pairs):
            raise SpecError("strategy.feature.pairs must be a non-empty list of [teacherBlock, studentBlock] names")
        feature["pairs"] = [[str(t), str(s)] for t, s in pairs]
    if feature["layerWeights"] is not None:
        weights = feature["layerWeights"]
        if not isinstance(weights, list):
            raise SpecError("strategy.feature.layerWeights must be a list of numbers")
        feature["layerWeights"] = [_number("strategy.feature.layerWeights[]", w, 0.0) for w in weights]
    return feature


def _knowledge_consistency(given: Any) -> Dict[str, Any]:
    settings = _settings("strategy.knowledgeConsistency", given, KNOWLEDGE_CONSISTENCY_DEFAULTS)
    settings["threshold"] = _number("strategy.knowledgeConsistency.threshold", settings["threshold"], 0.0, low_open=True)
    return settings


def _progressive(given: Any) -> Dict[str, Any]:
    settings = _settings("strategy.progressive", given, PROGRESSIVE_DEFAULTS)
    rounds = settings["rounds"]
    if not isinstance(rounds, list) or not rounds or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in rounds):
        raise SpecError(f"strategy.progressive.rounds must be a non-empty list of step counts >= 1, got {rounds!r}")
    settings["rounds"] = list(rounds)
    return settings


def _adversarial(given: Any) -> Dict[str, Any]:
    settings = _settings("strategy.adversarial", given, ADVERSARIAL_DEFAULTS)
    settings["weight"] = _number("strategy.adversarial.weight", settings["weight"], 0.0)
    settings["discriminatorLr"] = _number("strategy.adversarial.discriminatorLr", settings["discriminatorLr"], 0.0, 1.0, low_open=True)
    return settings


_COMPONENT_NORMALISERS = {
    "output": _output,
    "feature": _feature,
    "knowledgeConsistency": _knowledge_consistency,
    "progressive": _progressive,
    "adversarial": _adversarial,
}


def normalise_student(student: Any) -> Dict[str, Any]:
    """{"derive": {removeLayers, channelScale, dropMid}} or {"model": {...the UNet model spec...}}."""
    if not isinstance(student, dict) or len([key for key in ("derive", "model") if student.get(key) is not None]) != 1 or set(student) - {"derive", "model"}:
        raise SpecError('student must be exactly one of {"derive": {...}} or {"model": {...}}')
    if student.get("derive") is not None:
        derive = _settings("student.derive", student["derive"], DERIVE_DEFAULTS)
        remove = derive["removeLayers"]
        if isinstance(remove, bool) or not isinstance(remove, int) or not 0 <= remove <= 3:
            raise SpecError(f"student.derive.removeLayers must be an integer in 0..3, got {remove!r}")
        derive["channelScale"] = _number("student.derive.channelScale", derive["channelScale"], 0.0, 1.0, low_open=True)
        derive["dropMid"] = bool(derive["dropMid"])
        return {"derive": derive}
    return {"model": _settings("student.model", student["model"], MODEL_DEFAULTS)}


def resolve_feature_pairs(feature: Dict[str, Any], teacher_blocks: Sequence[str], student_blocks: Sequence[str]) -> Tuple[List[Tuple[str, str]], List[float]]:
    """The block pairs (default: every block name both UNets have, in the teacher's order) and
    their weights (default 1.0, 0.8, 0.6, ...); both are written back into `feature`."""
    if feature["pairs"] is None:
        pairs = [(name, name) for name in teacher_blocks if name in student_blocks]
        if not pairs:
            raise SpecError("strategy.feature: the teacher and the student share no block name; list pairs explicitly")
    else:
        pairs = [(t, s) for t, s in feature["pairs"]]
        for t, s in pairs:
            if t not in teacher_blocks:
                raise SpecError(f"strategy.feature.pairs: the teacher has no block {t!r} (has {', '.join(teacher_blocks)})")
            if s not in student_blocks:
                raise SpecError(f"strategy.feature.pairs: the student has no block {s!r} (has {', '.join(student_blocks)})")
        if len(set(pairs)) != len(pairs):
            raise SpecError("strategy.feature.pairs lists a pair twice")
    weights: Optional[List[float]] = feature["layerWeights"]
    if weights is None:
        weights = default_feature_weights(len(pairs))
    elif len(weights) != len(pairs):
        raise SpecError(f"strategy.feature.layerWeights has {len(weights)} weights for {len(pairs)} pairs")
    feature["pairs"] = [[t, s] for t, s in pairs]
    feature["layerWeights"] = list(weights)
    return pairs, list(weights)


def pair_metric_key(teacher_block: str, student_block: str) -> str:
    """"loss/feature/<block>" for a block paired with its namesake, else "loss/feature/<t>-<s>"
    (metric keys allow only letters, digits and _ . / -, so not FeatureDistillation's "->")."""
    return f"loss/feature/{teacher_block}" if teacher_block == student_block else f"loss/feature/{teacher_block}-{student_block}"
