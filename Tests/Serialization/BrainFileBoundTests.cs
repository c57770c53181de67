using System;
using System.IO;
using Cortex.Serialization;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

/// <summary>
/// The documented allocation bound on large files Cortex writes itself: megabytes of weights, thousands of
/// layers, long strings, each read from a buffer, a path, a seekable and a non-seekable stream.
/// </summary>
[TestFixture]
public sealed class BrainFileBoundTests
{
    private string _directory = null!;

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cortex-bound-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [OneTimeTearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    public enum Source { Buffer, Path, SeekableStream, NonSeekableStream }

    [Test]
    public void AMegabyteOfWeights([Values] Source source)
    {
        using Brain brain = Brain.Create(511).Dense(512, Activation.Linear).Optimizer(Optimizer.Adam()).MaxBatch(4).Build(1);
        CheckBound(brain, Fixed(optimizerState: false), source);
        CheckBound(brain, Fixed(optimizerState: true), source);
    }

    [Test]
    public void LongStrings([Values] Source source)
    {
        using Brain brain = Brain.Create(2).Dense(2, Activation.Linear).Build(2);
        string value = new('a', 65_536);
        for (int i = 0; i < 100; i++) brain.UserData[$"key{i}"] = value;
        CheckBound(brain, Fixed(), source);
    }

    [Test]
    public void ThousandsOfLayers([Values] Source source)
    {
        BrainBuilder builder = Brain.Create(2);
        for (int i = 0; i < FormatLimits.MaxLayers; i++) builder = builder.Dense(2, Activation.Tanh);
        using Brain brain = builder.Optimizer(Optimizer.GradientDescent(0.1f)).MaxBatch(1).Build(3);
        CheckBound(brain, Fixed(optimizerState: false), source);
        BrainBuilder adam = Brain.Create(2);
        for (int i = 0; i < FormatLimits.MaxLayers; i++) adam = adam.Dense(2, Activation.Tanh);
        using Brain withState = adam.Build(4);
        CheckBound(withState, Fixed(), source);
    }

    private void CheckBound(Brain brain, BrainSaveOptions save, Source source)
    {
        byte[] file = BrainFile.ToBytes(brain, save);
        string path = Path.Combine(_directory, "bound.cbrain");
        File.WriteAllBytes(path, file);
        Func<Brain> load = source switch
        {
            Source.Buffer => () => BrainFile.Read(file),
            Source.Path => () => BrainFile.Load(path),
            Source.SeekableStream => () => BrainFile.Read(new MemoryStream(file, writable: false)),
            _ => () => BrainFile.Read(new TrickleStream(file, 1 << 16)),
        };
        long total = Allocated(() => load().Dispose());
        long build = Allocated(() => Brain.FromSpec(brain.Spec, 0).Dispose());
        long reading = total - build;
        long length = file.Length;
        TestContext.Out.WriteLine($"{source}: {length}-byte file, {brain.Spec.Layers.Count} layers; load allocated {total} bytes = {(double)total / length:F2} x the file; " +
            $"reading and checking {reading} = {(double)reading / length:F2} x");
        int layers = brain.Spec.Layers.Count;
        Assert.That(reading, Is.LessThanOrEqualTo(AllocationBound.Reading(length, layers, seekable: source != Source.NonSeekableStream)), "reading and checking the file");
        Assert.That(total, Is.LessThanOrEqualTo(AllocationBound.Total(length, layers, Workspace.Floats(brain.Spec))), "the documented bound");
    }

    private static long Allocated(Action action)
    {
        action();   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
