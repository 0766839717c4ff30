//! Styles. Only the 16 named ANSI colours are used (they follow the user's terminal palette
//! and work on 16-colour terminals); with `NO_COLOR` every colour is dropped and selection,
//! headings and errors rely on bold, reverse and underline alone.

use ratatui::style::{Color, Modifier, Style};

use crate::app::detail::Tok;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value (https://no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn normal(&self) -> Style {
        Style::new()
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Marked rows (space): underlined and bold, readable with or without colour.
    pub fn marked(&self) -> Style {
        self.fg(Color::Magenta)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Rows a watch's last refresh brought (new or changed): italic, and a `+`/`~` glyph at
    /// the row's end, so it reads without colour and apart from selection and marks.
    pub fn fresh(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::ITALIC)
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn bar(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn active_tab(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn muted(&self) -> Style {
        if self.color {
            self.fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn badge(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn tok(&self, tok: Tok) -> Style {
        match tok {
            Tok::Heading => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Tok::Label => self.fg(Color::Cyan),
            Tok::Key => self.fg(Color::Blue).add_modifier(Modifier::BOLD),
            Tok::Str => self.fg(Color::Green),
            Tok::Num => self.fg(Color::Magenta),
            Tok::Bool | Tok::Null => self.fg(Color::Yellow).add_modifier(Modifier::ITALIC),
            Tok::Punct | Tok::Plain => Style::new(),
            Tok::Muted => self.muted(),
        }
    }
}
