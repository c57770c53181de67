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

    private void AssertUntouched(string path, byte[] before, Brain old, string when)
    {
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }), $"{when}: no temporary file is left");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), when);
        using Brain loaded = BrainFile.Load(path);
        Assert.That(Parameters(loaded), Is.EqualTo(Parameters(old)), when);
    }
}
