//! Closed-form and asymptotic ICL risks from `shared/THEORY.md`. (Being written: issue 3.)
