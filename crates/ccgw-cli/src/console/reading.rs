//! What the console asks for, and what it gets back, whoever types.

/// What the user gave.
#[derive(Debug)]
pub enum Input {
    Line(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// End of input (Ctrl-D at an empty prompt, or the end of a script).
    Eof,
}

/// What to ask for next.
#[derive(Debug)]
pub enum Ask {
    /// A command line.
    Command,
    /// A yes-or-no answer to this question.
    Confirm(String),
}
