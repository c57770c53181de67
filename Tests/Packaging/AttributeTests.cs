using System;
using System.Linq;
using System.Reflection;
using Cortex.OpenCL;
using NUnit.Framework;

namespace Cortex.Tests.Packaging;

/// <summary>
/// Brain files must load and save without reflection (Unity's IL2CPP, NativeAOT): MemoryPack's generated code reads
/// a member's custom-formatter attribute by reflection, so no Cortex type may use one (bounded members are
/// <c>DtoField</c>s with statically registered formatters instead); and Unity's Mono and IL2CPP cannot read generic
/// attributes at all, so neither Cortex assembly may carry one.
/// </summary>
[TestFixture]
public sealed class AttributeTests
{
    [Test]
    public void NoMemberUsesACustomFormatterAttribute()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var members = typeof(Brain).Assembly.GetTypes().SelectMany(t => t.GetMembers(All)).ToList();
        var custom = members
            .SelectMany(m => m.GetCustomAttributesData().Select(a => (Member: m, Attribute: a.AttributeType)))
            .Where(x => IsCustomFormatterAttribute(x.Attribute))
            .Select(x => $"{x.Member.DeclaringType?.Name}.{x.Member.Name}: {x.Attribute.Name}")
            .ToList();
        Assert.That(custom, Is.Empty);
        Assert.That(members.Count(m => m.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackAllowSerializeAttribute")), Is.EqualTo(14),
            "the thirteen bounded members of the brain-file DTOs and the demonstration file's name");
    }

    private static bool IsCustomFormatterAttribute(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.Name.StartsWith("MemoryPackCustomFormatterAttribute", StringComparison.Ordinal)) return true;
        }
        return false;
    }

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
