using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.OpenCL;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.OpenCL;

/// <summary>Device discovery, choice, and what happens when OpenCL is missing.</summary>
[TestFixture]
public sealed class OpenClDeviceTests
{
    private static readonly string[] MissingLibrary = { "libCortexNoSuchOpenCL.so.9" };

    [Test]
    public void SelectorsParseFromText()
    {
        Assert.Multiple(() =>
        {
            Assert.That(OpenClDeviceSelector.Parse(null), Is.EqualTo(OpenClDeviceSelector.Best));
            Assert.That(OpenClDeviceSelector.Parse(" best "), Is.EqualTo(OpenClDeviceSelector.Best));
            Assert.That(OpenClDeviceSelector.Parse("GPU"), Is.EqualTo(OpenClDeviceSelector.OfType(OpenClDeviceType.Gpu)));
            Assert.That(OpenClDeviceSelector.Parse("cpu"), Is.EqualTo(OpenClDeviceSelector.OfType(OpenClDeviceType.Cpu)));
            Assert.That(OpenClDeviceSelector.Parse("accelerator"), Is.EqualTo(OpenClDeviceSelector.OfType(OpenClDeviceType.Accelerator)));
            Assert.That(OpenClDeviceSelector.Parse("#2"), Is.EqualTo(OpenClDeviceSelector.AtIndex(2)));
            Assert.That(OpenClDeviceSelector.Parse("1"), Is.EqualTo(OpenClDeviceSelector.AtIndex(1)));
            Assert.That(OpenClDeviceSelector.Parse("RTX 4090"), Is.EqualTo(OpenClDeviceSelector.NameContains("RTX 4090")));
            Assert.That(OpenClDeviceSelector.NameContains("Iris").ToString(), Is.EqualTo("a device whose name contains \"Iris\""));
            Assert.That(() => OpenClDeviceSelector.AtIndex(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => OpenClDeviceSelector.NameContains(" "), Throws.ArgumentException);
        });
    }

    [Test]
    public void ListsEveryDeviceReadably()
    {
        IReadOnlyList<OpenClDevice> devices = RequireDevices();
        string listing = OpenClDevice.Listing();
        TestContext.Out.WriteLine(listing);
        for (int i = 0; i < devices.Count; i++)
        {
            OpenClDevice d = devices[i];
            Assert.That(d.Index, Is.EqualTo(i));
            Assert.That(listing, Does.Contain(d.PlatformName).And.Contain(d.Type.ToString()));
            Assert.That(d.ComputeUnits, Is.GreaterThan(0));
            Assert.That(d.GlobalMemoryBytes, Is.GreaterThan(0));
            Assert.That(d.MaxWorkGroupSize, Is.GreaterThan(0));
        }
    }

    [Test]
    public void SelectorsChooseByTypeNameAndIndex()
    {
        IReadOnlyList<OpenClDevice> devices = RequireDevices();
        OpenClDevice best = OpenClDeviceSelector.Best.Choose(devices)!;
        Assert.That(best, Is.Not.Null);
        foreach (OpenClDevice d in devices)
        {
            if (!d.IsUsable) continue;
            Assert.That(OpenClDeviceSelector.AtIndex(d.Index).Choose(devices), Is.SameAs(d));
            Assert.That(OpenClDeviceSelector.OfType(d.Type).Choose(devices)!.Type, Is.EqualTo(d.Type));
            Assert.That(OpenClDeviceSelector.NameContains(d.Name.Substring(0, Math.Min(6, d.Name.Length)).ToUpperInvariant()).Choose(devices), Is.Not.Null);
            if (d.Type == OpenClDeviceType.Gpu) Assert.That(best.Type, Is.EqualTo(OpenClDeviceType.Gpu), "a GPU beats other device types");
        }
        Assert.That(OpenClDeviceSelector.AtIndex(devices.Count).Choose(devices), Is.Null);
        Assert.That(OpenClDeviceSelector.NameContains("no device is called this").Choose(devices), Is.Null);
    }

    [Test]
    public void AskingForADeviceThatIsNotThereSaysWhatWasFound()
    {
        IReadOnlyList<OpenClDevice> devices = RequireDevices();
        var e = Assert.Throws<OpenClUnavailableException>(() => new OpenClBackend(OpenClDeviceSelector.NameContains("no device is called this")))!;
        Assert.That(e.Message, Does.Contain("no device is called this"));
        Assert.That(e.Tried, Does.Contain(devices[0].Name));
    }

    [Test]
    public void AMissingLibraryIsReportedWithTheNamesTried()
    {
        var e = Assert.Throws<OpenClUnavailableException>(() => OpenClLibrary.Load(MissingLibrary))!;
        Assert.That(e.Tried, Does.Contain(MissingLibrary[0]));
        Assert.That(e.Message, Does.Contain("could not be loaded"));
    }

    [Test]
    public void CreateBestFallsBackToTheCpuWithoutOpenCl([Values] BackendPreference prefer)
    {
        using IBackend backend = BackendFactory.CreateBest(prefer, 2, MissingLibrary, out string reason);
        Assert.That(backend, Is.InstanceOf<CpuBackend>());
        Assert.That(((CpuBackend)backend).Threads, Is.EqualTo(2));
        Assert.That(reason, prefer == BackendPreference.Cpu ? Does.Contain("CPU backend was asked for") : Does.Contain(MissingLibrary[0]));
    }

    [Test]
    public void CreateBestUsesOpenClWhenItCanServe()
    {
        IReadOnlyList<OpenClDevice> devices = RequireDevices();
        using (IBackend any = BackendFactory.CreateBest(BackendPreference.OpenCl, 1, out string reason))
        {
            Assert.That(any, Is.InstanceOf<OpenClBackend>(), reason);
            Assert.That(((OpenClBackend)any).Device.Index, Is.EqualTo(OpenClDeviceSelector.Best.Choose(devices)!.Index));
        }
        bool hasGpu = false;
        foreach (OpenClDevice d in devices) hasGpu |= d.IsUsable && d.Type is OpenClDeviceType.Gpu or OpenClDeviceType.Accelerator;
        using IBackend gpu = BackendFactory.CreateBest(BackendPreference.Gpu, 1, out string why);
        Assert.That(gpu, hasGpu ? Is.InstanceOf<OpenClBackend>() : Is.InstanceOf<CpuBackend>(), why);
        using IBackend cpu = BackendFactory.CreateBest(BackendPreference.Cpu);
        Assert.That(cpu, Is.InstanceOf<CpuBackend>());
    }

    private static IReadOnlyList<OpenClDevice> RequireDevices() => TestBackends.RequireOpenClDevices();
}
