"""Classification and grading: category, severity L1-L3 and risk, each with its reasons (pure)."""
