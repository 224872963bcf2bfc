"""Distillery's trainer: diffusion UNets, teacher pretraining and distillation, ONNX export.

Driven by a runner as ``python -m distillery_trainer <command> --spec spec.json --work-dir DIR``;
it reports through the JSON-lines protocol on stdout (see ``protocol.py`` and
libs/domain/src/trainer-protocol.ts).
"""
