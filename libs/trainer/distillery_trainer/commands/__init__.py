"""Trainer commands (pretrain, distill, extractor). The spec and artifact contract they share with
the runner and the platform is in CONTRACT.md beside this file."""
