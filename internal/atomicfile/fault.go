package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Step is a step of Write or Check at which Inject makes the file system
// fail.
type Step int

const (
	StepCheckCreate Step = iota // Check creates its probe file
	StepCheckClose              // Check closes the probe file
	StepCheckRemove             // Check removes the probe file
	StepCreate                  // Write creates the temporary file
	StepWrite                   // Write writes to it (during write or at the final flush)
	StepChmod                   // Write sets its mode
	StepSync                    // Write syncs it to disk
	StepClose                   // Write closes it
	StepRename                  // Write renames it over the target
	StepRemove                  // Write removes it after a failure
)

var stepNames = [...]string{"check-create", "check-close", "check-remove", "create", "write", "chmod", "sync", "close", "rename", "remove"}

func (s Step) String() string {
	if s >= 0 && int(s) < len(stepNames) {
		return stepNames[s]
	}
	return fmt.Sprintf("Step(%d)", int(s))
}

// Fault is a failure Inject makes the file system report.
type Fault struct {
	Path string // the path given to Write or Check
	Step Step
	Err  error // what the system call returns, such as syscall.ENOSPC
	// Accept is, for StepWrite, how many bytes the file takes before the
	// write that fails: a full disk takes the part of a write that fits.
	Accept int
}

// faults holds the injected faults by cleaned target path. It is the
// package's only mutable state, and only tests set it.
var faults struct {
	sync.Mutex
	m map[string]Fault
}

// Inject makes Write and Check on f.Path fail at f.Step with f.Err, as a
// full or failing disk would, until the returned function is called. The
// step's system call is not made (except that a failed close still closes
// the file), and the error comes back as the os package returns it, in an
// *os.PathError or *os.LinkError naming the file. It is for tests, here
// and in the packages that write through this one: a test cannot make a
// real disk fail at a chosen step. A path takes one fault at a time.
func Inject(f Fault) (remove func()) {
	key := filepath.Clean(f.Path)
	faults.Lock()
	defer faults.Unlock()
	if _, ok := faults.m[key]; ok {
		panic("atomicfile: Inject: " + f.Path + " already has a fault")
	}
	if faults.m == nil {
		faults.m = map[string]Fault{}
	}
	faults.m[key] = f
	return func() {
		faults.Lock()
		defer faults.Unlock()
		delete(faults.m, key)
	}
}

// faultAt returns the error injected at step s of writing target, or nil.
func faultAt(target string, s Step) (Fault, bool) {
	faults.Lock()
	defer faults.Unlock()
	f, ok := faults.m[filepath.Clean(target)]
	return f, ok && f.Step == s
}

// tempFile is the file Write writes (or Check's probe), through which
// injected faults reach it.
type tempFile struct {
	*os.File
	target    string
	closeStep Step
	written   int
}

// createTemp is os.CreateTemp(dir, pattern) for a file written for target;
// create and closeStep are the steps of creating and closing it.
func createTemp(target, dir, pattern string, create, closeStep Step) (*tempFile, error) {
	if f, ok := faultAt(target, create); ok {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(dir, pattern), Err: f.Err}
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &tempFile{File: f, target: target, closeStep: closeStep}, nil
}

func (t *tempFile) Write(p []byte) (int, error) {
	if f, ok := faultAt(t.target, StepWrite); ok && len(p) > f.Accept-t.written {
		n, err := t.File.Write(p[:max(f.Accept-t.written, 0)])
		t.written += n
		if err == nil {
			err = &os.PathError{Op: "write", Path: t.Name(), Err: f.Err}
		}
		return n, err
	}
	n, err := t.File.Write(p)
	t.written += n
	return n, err
}

func (t *tempFile) Chmod(mode os.FileMode) error {
	if f, ok := faultAt(t.target, StepChmod); ok {
		return &os.PathError{Op: "chmod", Path: t.Name(), Err: f.Err}
	}
	return t.File.Chmod(mode)
}

func (t *tempFile) Sync() error {
	if f, ok := faultAt(t.target, StepSync); ok {
		return &os.PathError{Op: "sync", Path: t.Name(), Err: f.Err}
	}
	return t.File.Sync()
}

// Close closes the file, also when it reports an injected failure, as a
// failed close(2) still frees the descriptor.
func (t *tempFile) Close() error {
	err := t.File.Close()
	if f, ok := faultAt(t.target, t.closeStep); ok && err == nil {
		return &os.PathError{Op: "close", Path: t.Name(), Err: f.Err}
	}
	return err
}

// rename is os.Rename(tmp, target).
func rename(tmp, target string) error {
	if f, ok := faultAt(target, StepRename); ok {
		return &os.LinkError{Op: "rename", Old: tmp, New: target, Err: f.Err}
	}
	return os.Rename(tmp, target)
}

// remove is os.Remove(tmp) at step s of writing target.
func remove(target, tmp string, s Step) error {
	if f, ok := faultAt(target, s); ok {
		return &os.PathError{Op: "remove", Path: tmp, Err: f.Err}
	}
	return os.Remove(tmp)
}
