package debian

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoDpkg is returned (wrapped) when dpkg-deb is not installed.
var ErrNoDpkg = errors.New("dpkg-deb is not installed (it comes with Debian's dpkg package)")

// Extract unpacks the files of the .deb at deb whose paths (relative, without
// a leading "./", e.g. "boot/vmlinuz-6.1.0-56-arm64") satisfy filter into
// destDir, keeping their relative paths, and returns those paths in archive
// order. Directories are created as needed; symbolic links and other special
// files are skipped. dpkg-deb decompresses the data member, whatever its
// compression (xz, zstd, gzip), faster than a pure-Go xz decoder.
func Extract(deb, destDir string, filter func(path string) bool) ([]string, error) {
	dpkg, err := exec.LookPath("dpkg-deb")
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", deb, ErrNoDpkg)
	}
	cmd := exec.Command(dpkg, "--fsys-tarfile", deb)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", deb, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("extract %s: %w", deb, err)
	}
	paths, terr := untar(pipe, destDir, filter)
	io.Copy(io.Discard, pipe) // let dpkg-deb finish writing
	werr := cmd.Wait()
	if werr != nil {
		return nil, fmt.Errorf("extract %s: %w", deb, &CommandError{Args: cmd.Args, Stderr: stderr.String(), Err: werr})
	}
	if terr != nil {
		return nil, fmt.Errorf("extract %s: %w", deb, terr)
	}
	return paths, nil
}

func untar(r io.Reader, destDir string, filter func(string) bool) ([]string, error) {
	var paths []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return paths, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read data archive: %w", err)
		}
		name := strings.TrimPrefix(filepath.Clean(h.Name), "./")
		if h.Typeflag != tar.TypeReg || strings.HasPrefix(name, "../") || !filter(name) {
			continue
		}
		if err := writeFile(filepath.Join(destDir, name), tr, h.FileInfo().Mode().Perm()); err != nil {
			return nil, err
		}
		paths = append(paths, name)
	}
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// ExtractTree unpacks all of the .deb at deb into destDir as dpkg would,
// symbolic links included (a package whose files link to each other, such
// as linux-headers, needs them).
func ExtractTree(deb, destDir string) error {
	_, err := dpkgDeb(deb, "-x", deb, destDir)
	return err
}

// ControlField returns field name of the .deb at deb's control file ("" if
// it has none), e.g. its Depends.
func ControlField(deb, name string) (string, error) {
	out, err := dpkgDeb(deb, "-f", deb, name)
	return strings.TrimSpace(string(out)), err
}

// dpkgDeb runs dpkg-deb with args on deb and returns its output.
func dpkgDeb(deb string, args ...string) ([]byte, error) {
	dpkg, err := exec.LookPath("dpkg-deb")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", deb, ErrNoDpkg)
	}
	cmd := exec.Command(dpkg, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", deb, &CommandError{Args: cmd.Args, Stderr: stderr.String(), Err: err})
	}
	return stdout.Bytes(), nil
}
