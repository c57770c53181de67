using System;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class BrainRegistryTests
{
    private static Brain Tiny(ulong seed) => Brain.Create(2).Dense(2, Activation.Linear).MaxBatch(4).Build(seed);

    [Test]
    public void RegisteredBrainsAreFoundByTheirHandles()
    {
        using Brain a = Tiny(1), b = Tiny(2);
        var registry = new BrainRegistry(capacity: 1);
        BrainHandle ha = registry.Register(a), hb = registry.Register(b);
        Assert.That(ha, Is.Not.EqualTo(hb));
        Assert.That(ha.IsSome && hb.IsSome, Is.True);
        Assert.That(registry[ha], Is.SameAs(a));
        Assert.That(registry.Get(hb), Is.SameAs(b));
        Assert.That(registry.Count, Is.EqualTo(2));
        Assert.That(BrainHandle.FromValue(hb.Value), Is.EqualTo(hb));
        Assert.That(BrainHandle.None.IsSome, Is.False);
        Assert.That(default(BrainHandle), Is.EqualTo(BrainHandle.None));
    }

    [Test]
    public void UnregisteredHandlesAreNotReusedAndFailLoudly()
    {
        using Brain a = Tiny(1), b = Tiny(2);
        var registry = new BrainRegistry();
        BrainHandle ha = registry.Register(a);
        Assert.That(registry.Unregister(ha), Is.True);
        Assert.That(registry.Unregister(ha), Is.False);
        BrainHandle hb = registry.Register(b);
        Assert.That(hb, Is.Not.EqualTo(ha));
        Assert.That(registry.Contains(ha), Is.False);
        Assert.That(() => registry[ha], Throws.ArgumentException.With.Message.Contains("unregistered"));
        Assert.That(() => registry[BrainHandle.None], Throws.ArgumentException.With.Message.Contains("None"));
        Assert.That(() => registry[BrainHandle.FromValue(99)], Throws.ArgumentException.With.Message.Contains("not from this registry"));
        Assert.That(registry.TryGet(BrainHandle.FromValue(99), out _), Is.False);
    }

    [Test]
    public void ReplaceKeepsTheHandle()
    {
        using Brain a = Tiny(1), b = Tiny(2);
        var registry = new BrainRegistry();
        BrainHandle h = registry.Register(a);
        int version = registry.Version;
        registry.Replace(h, b);
        Assert.That(registry[h], Is.SameAs(b));
        Assert.That(registry.Version, Is.GreaterThan(version));
        Assert.That(() => registry.Replace(BrainHandle.None, b), Throws.ArgumentException);
        Assert.That(() => registry.Register(null!), Throws.ArgumentNullException);
        Assert.That(() => BrainHandle.FromValue(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
