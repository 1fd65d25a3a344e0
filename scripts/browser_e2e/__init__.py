"""scripts/browser-e2e's harness (servers, browsers) and cases, apart from its entry point."""
