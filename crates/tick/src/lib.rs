//! TICKscript lexer, parser, AST and diagnostics.
