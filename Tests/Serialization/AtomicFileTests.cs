using System;
using System.IO;
using Cortex.Serialization;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

[TestFixture]
public sealed class AtomicFileTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cortex-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void FirstSaveCreatesTheFileAndLeavesNothingElse()
    {
        using Brain brain = Regressor(1);
        string path = Path.Combine(_directory, "first.cbrain");
        brain.Save(path);
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }));
        using Brain loaded = BrainFile.Load(path);
        Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
    }

    [Test]
    public void SavingAgainReplacesTheFile()
    {
        using Brain a = Regressor(1), b = Classifier(2);
        string path = Path.Combine(_directory, "brain.cbrain");
        a.Save(path);
        b.Save(path);
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }));
        using Brain loaded = BrainFile.Load(path);
        Assert.That(Parameters(loaded), Is.EqualTo(Parameters(b)));
    }

    [Test]
    public void AFailureAtAnyByteLeavesThePreviousFileIntact()
    {
        using Brain old = Regressor(3), next = Classifier(4);
        string path = Path.Combine(_directory, "brain.cbrain");
        old.Save(path);
        byte[] before = File.ReadAllBytes(path);
        int length = BrainFile.ToBytes(next).Length;
        int cases = 0;
        for (long failAfter = 0; failAfter <= length; failAfter += failAfter < 48 ? 1 : 41)
        {
            long at = failAfter;
            var e = Assert.Throws<IOException>(() => BrainFile.SaveAtomic(next, path, null, s => new FailingStream(s, at), null))!;
            Assert.That(e.Message, Does.Contain("injected"));
            AssertUntouched(path, before, old, $"failure after {at} of {length} bytes");
            cases++;
        }
        Assert.Throws<IOException>(() => BrainFile.SaveAtomic(next, path, null, s => new FailingStream(s, long.MaxValue, failOnFlush: true), null));
        AssertUntouched(path, before, old, "failure on flush");
        Assert.Throws<IOException>(() => BrainFile.SaveAtomic(next, path, null, null, temporary =>
        {
            Assert.That(File.Exists(temporary), "the temporary file is complete before the rename");
            throw new IOException("injected failure before the rename");
        }));
        AssertUntouched(path, before, old, "failure before the rename");
        Assert.That(cases, Is.GreaterThan(60));
    }

    [Test]
    public void AFailedFirstSaveLeavesNoFile()
    {
        using Brain brain = Regressor(5);
        string path = Path.Combine(_directory, "never.cbrain");
        foreach (long at in new long[] { 0, 1, 31, 32, 100 })
        {
            Assert.Throws<IOException>(() => BrainFile.SaveAtomic(brain, path, null, s => new FailingStream(s, at), null));
            Assert.That(Directory.GetFiles(_directory), Is.Empty);
        }
    }

    [Test]
    public void ACrashLeftoverDoesNotDisturbLoadingOrSaving()
    {
        using Brain brain = Regressor(6);
        string path = Path.Combine(_directory, "brain.cbrain");
        brain.Save(path);
        string leftover = Path.Combine(_directory, ".brain.cbrain.deadbeef.tmp");
        File.WriteAllBytes(leftover, new byte[] { 1, 2, 3 });   // what a crash between write and rename leaves
        using (Brain loaded = BrainFile.Load(path)) Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
        brain.Save(path);
        using (Brain loaded = BrainFile.Load(path)) Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
    }

    [Test]
    public void BadPathsAreArgumentErrors()
    {
        Assert.Throws<ArgumentNullException>(() => AtomicFile.Write(null!, new byte[1]));
        Assert.Throws<ArgumentException>(() => AtomicFile.Write("", new byte[1]));
        Assert.Throws<ArgumentException>(() => AtomicFile.Write(_directory + Path.DirectorySeparatorChar, new byte[1]));
    }

    [Test]
    public void AnyNameTheFileSystemTakesCanBeSaved([Values(200, 217, 239, 255)] int length)
    {
        using Brain brain = Regressor(7);
        string path = Path.Combine(_directory, new string('n', length - ".cbrain".Length) + ".cbrain");
        File.WriteAllBytes(path, new byte[] { 1 });   // the OS takes the name
        File.Delete(path);
        brain.Save(path);
        brain.Save(path);
        using (Brain loaded = BrainFile.Load(path)) Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }));
        // Multi-byte names: 120 two-byte chars make 240 bytes.
        string wide = Path.Combine(_directory, new string('\u00e9', 120) + ".b");
        brain.Save(wide);
        using (Brain loaded = BrainFile.Load(wide)) Assert.That(Parameters(loaded), Is.EqualTo(Parameters(brain)));
        File.Delete(wide);
        File.Delete(path);
    }

    [Test]
    public void StaleTemporariesOfTheSameTargetAreRemoved()
    {
        using Brain brain = Regressor(8);
        string path = Path.Combine(_directory, "brain.cbrain");
        string stem = AtomicFile.TemporaryStem("brain.cbrain");
        string stale = Path.Combine(_directory, stem + "0123456789abcdef.tmp");
        string fresh = Path.Combine(_directory, stem + "fedcba9876543210.tmp");            // as if a save were in flight now
        string other = Path.Combine(_directory, AtomicFile.TemporaryStem("other.cbrain") + "0123456789abcdef.tmp");
        string lookalike = Path.Combine(_directory, stem + "not-hex-at-all!!.tmp");
        string userFile = Path.Combine(_directory, ".brain.cbrain.notes.tmp");
        foreach (string f in new[] { stale, fresh, other, lookalike, userFile }) File.WriteAllBytes(f, new byte[] { 1 });
        DateTime old = DateTime.UtcNow.AddDays(-2);
        foreach (string f in new[] { stale, other, lookalike, userFile }) File.SetLastWriteTimeUtc(f, old);
        brain.Save(path);
        Assert.That(File.Exists(stale), Is.False, "a crashed save's leftover of this target");
        Assert.That(File.Exists(fresh), Is.True, "written after this process started: maybe a save in flight");
        Assert.That(File.Exists(other), Is.True, "another target's temporary");
        Assert.That(File.Exists(lookalike), Is.True, "not Cortex's pattern");
        Assert.That(File.Exists(userFile), Is.True, "not Cortex's pattern");
        foreach (string f in new[] { fresh, other, lookalike, userFile }) File.Delete(f);
        File.Delete(path);
    }

    [Test]
    public void LongNamesSharingAPrefixDoNotShareTemporaries()
    {
        string a = new string('p', 230) + "-a", b = new string('p', 230) + "-b";
        Assert.That(AtomicFile.TemporaryStem(a), Is.Not.EqualTo(AtomicFile.TemporaryStem(b)));
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(AtomicFile.TemporaryStem(a) + "0123456789abcdef.tmp"), Is.LessThanOrEqualTo(255));
        string surrogates = string.Concat(System.Linq.Enumerable.Repeat("\U0001F600", 60));
        string stem = AtomicFile.TemporaryStem(surrogates);
        Assert.That(char.IsHighSurrogate(stem[stem.IndexOf('.', 1) - 1]), Is.False, "a pair is never cut in half");
    }

    [Test]
    public void SavingThroughASymbolicLinkUpdatesItsTarget()
    {
        using Brain first = Regressor(9), second = Regressor(10);
        string targetDirectory = Path.Combine(_directory, "real");
        Directory.CreateDirectory(targetDirectory);
        string target = Path.Combine(targetDirectory, "brain.cbrain");
        first.Save(target);
        string link = Path.Combine(_directory, "link.cbrain");
        File.CreateSymbolicLink(link, Path.Combine("real", "brain.cbrain"));   // a relative link
        second.Save(link);
        Assert.That(new FileInfo(link).LinkTarget, Is.Not.Null, "the link is still a link");
        using (Brain viaTarget = BrainFile.Load(target)) Assert.That(Parameters(viaTarget), Is.EqualTo(Parameters(second)));
        using (Brain viaLink = BrainFile.Load(link)) Assert.That(Parameters(viaLink), Is.EqualTo(Parameters(second)));
        Assert.That(Directory.GetFiles(targetDirectory), Is.EqualTo(new[] { target }), "the temporary went beside the target and is gone");
        // A chain of links and a dangling link (its target is created).
        string chain = Path.Combine(_directory, "chain.cbrain");
        File.CreateSymbolicLink(chain, link);
        first.Save(chain);
        using (Brain viaTarget = BrainFile.Load(target)) Assert.That(Parameters(viaTarget), Is.EqualTo(Parameters(first)));
        string dangling = Path.Combine(_directory, "dangling.cbrain"), missing = Path.Combine(targetDirectory, "new.cbrain");
        File.CreateSymbolicLink(dangling, missing);
        second.Save(dangling);
        Assert.That(new FileInfo(dangling).LinkTarget, Is.Not.Null);
        using (Brain created = BrainFile.Load(missing)) Assert.That(Parameters(created), Is.EqualTo(Parameters(second)));
        foreach (string f in new[] { chain, dangling, link }) File.Delete(f);
        Directory.Delete(targetDirectory, recursive: true);
    }

    private void AssertUntouched(string path, byte[] before, Brain old, string when)
    {
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }), $"{when}: no temporary file is left");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), when);
        using Brain loaded = BrainFile.Load(path);
        Assert.That(Parameters(loaded), Is.EqualTo(Parameters(old)), when);
    }
}
