//! kensa playground: the manifest validator and the check engine, running in the browser.

mod app;
mod browser;
mod components;
mod diagnosis;
mod engine_task;
mod hooks;
mod local_network;
mod run;
mod share;
mod state;
mod transport;

#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
