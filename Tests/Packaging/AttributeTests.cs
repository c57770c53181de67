using System;
using System.Linq;
using System.Reflection;
using Cortex.OpenCL;
using NUnit.Framework;

namespace Cortex.Tests.Packaging;

/// <summary>
/// Unity's Mono and IL2CPP cannot read generic attributes, and MemoryPack's generated brain-file code reads the
/// custom-formatter attributes of the DTOs when it starts: neither Cortex assembly may carry a generic attribute.
/// </summary>
[TestFixture]
public sealed class AttributeTests
{
    [TestCase(typeof(Brain))]
    [TestCase(typeof(OpenClBackend))]
    public void NoGenericAttributeIsApplied(Type anyTypeOfTheAssembly)
    {
        Assembly assembly = anyTypeOfTheAssembly.Assembly;
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var generic = assembly.GetTypes()
            .SelectMany(t => new MemberInfo[] { t }.Concat(t.GetMembers(All)))
            .SelectMany(m => m.GetCustomAttributesData().Select(a => (Member: m, Attribute: a.AttributeType)))
            .Where(x => x.Attribute.IsGenericType)
            .Select(x => $"{x.Member.DeclaringType?.Name}.{x.Member.Name}: {x.Attribute}")
            .ToList();
        Assert.That(generic, Is.Empty);
        Assert.That(assembly.GetTypes().SelectMany(t => t.GetMembers(All)).Any(m => m.GetCustomAttributesData().Count > 0), Is.True,
            "the scan saw no attribute at all");
    }
}
