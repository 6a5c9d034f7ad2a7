// Package debian fetches Debian packages (kernel images, kernel sources) with
// apt's own client under a private configuration: a sources list, package
// lists and a download cache that live in one directory of ours, so the
// system's apt sources, lists and locks are never read for writing or changed.
//
// Package names and build numbers move (linux-image-6.1.0-56-arm64-unsigned
// today, -57 tomorrow): callers resolve a name pattern to the newest build
// instead of hard-coding one.
package debian
