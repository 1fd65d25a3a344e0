//! kensa playground: the manifest validator, running in the browser.

mod app;
mod components;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
