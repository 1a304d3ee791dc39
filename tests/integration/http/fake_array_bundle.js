/* a stand-in for posthog-js array.js */ window.posthog = window.posthog || {};
