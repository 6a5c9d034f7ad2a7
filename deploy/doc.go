// Package deploy holds no code: its tests validate what runs tracebench at
// scale, the GitHub Actions workflows in .github/workflows (with actionlint,
// and by running their tracebench steps) and the Kubernetes manifests in
// deploy/kubernetes (decoded strictly into the Kubernetes API types).
package deploy
